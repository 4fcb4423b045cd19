//! The deterministic comparisons behind the standard matching rules. Each one stands in for
//! one of Salesforce's matching methods (see the module doc of `matching` for the limits).

/// Lower case, common Latin accents removed, everything but letters, digits and single
/// spaces dropped: "  Zoë  O'Brien-Smith " -> "zoe obriensmith".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = unaccent(c);
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else if c.is_whitespace() || c == '&' || c == '/' || c == ',' {
            space = true;
        }
    }
    out
}

fn unaccent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        c => c,
    }
}

/// Jaro-Winkler similarity in 0..=1 (prefix scale 0.1, prefix up to 4 characters).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() {
        return if a == b { 1.0 } else { 0.0 };
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_hit = vec![false; a.len()];
    let mut b_hit = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_hit[j] && b[j] == *ca {
                a_hit[i] = true;
                b_hit[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let a_seq = a.iter().zip(&a_hit).filter(|(_, h)| **h).map(|(c, _)| c);
    let b_seq = b.iter().zip(&b_hit).filter(|(_, h)| **h).map(|(c, _)| c);
    let transpositions = a_seq.zip(b_seq).filter(|(x, y)| x != y).count() / 2;
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64) / m) / 3.0;
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// Groups of first names people use for one another.
const NICKNAMES: &[&[&str]] = &[
    &["robert", "rob", "bob", "bobby", "robbie", "bert"],
    &["william", "will", "bill", "billy", "willy", "liam"],
    &["james", "jim", "jimmy", "jamie"],
    &["michael", "mike", "mikey", "mick"],
    &[
        "katherine",
        "catherine",
        "kathryn",
        "kate",
        "katie",
        "kathy",
        "cathy",
        "kat",
    ],
    &[
        "elizabeth",
        "liz",
        "lizzie",
        "beth",
        "betty",
        "eliza",
        "libby",
    ],
    &["thomas", "tom", "tommy"],
    &["richard", "rick", "ricky", "dick", "rich", "richie"],
    &["david", "dave", "davey"],
    &["daniel", "dan", "danny"],
    &["joseph", "joe", "joey"],
    &["jennifer", "jen", "jenny"],
    &["christopher", "chris", "kit"],
    &["christine", "christina", "chris", "tina"],
    &["alexander", "alex", "sandy"],
    &["alexandra", "alex", "sandra", "lexi"],
    &["samuel", "sam", "sammy"],
    &["samantha", "sam", "sammie"],
    &["benjamin", "ben", "benny"],
    &["anthony", "tony"],
    &["andrew", "andy", "drew"],
    &["nicholas", "nick", "nicky"],
    &["edward", "ed", "eddie", "ted", "ned"],
    &["patrick", "pat", "paddy"],
    &["patricia", "pat", "patty", "trish"],
    &["margaret", "maggie", "meg", "peggy", "marge"],
    &["susan", "sue", "susie", "suzanne"],
    &["steven", "stephen", "steve"],
    &["matthew", "matt"],
    &["gregory", "greg"],
    &["john", "jon", "johnny", "jack"],
    &["jonathan", "jon", "jonny"],
    &["charles", "charlie", "chuck"],
    &["margaret", "greta"],
    &["deborah", "debra", "deb", "debbie"],
    &["rebecca", "becky", "becca"],
    &["victoria", "vicky", "tori"],
    &["jacqueline", "jackie"],
    &["lawrence", "larry"],
    &["timothy", "tim", "timmy"],
];

fn nicknames(a: &str, b: &str) -> bool {
    NICKNAMES
        .iter()
        .any(|group| group.contains(&a) && group.contains(&b))
}

/// First names (the Salesforce method uses exact, initials, Jaro-Winkler, Metaphone 3 and a
/// name-variant table at a threshold of 85): equal, an initial of the other, nicknames of
/// one another, or Jaro-Winkler of at least 0.85. Both must be present.
pub fn first_names(a: &str, b: &str) -> bool {
    let (a, b) = (fold(a), fold(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let initial = |x: &str, y: &str| x.chars().count() == 1 && y.starts_with(x);
    a == b
        || initial(&a, &b)
        || initial(&b, &a)
        || nicknames(&a, &b)
        || jaro_winkler(&a, &b) >= 0.85
}

/// Last names: equal once folded (no phonetic matching).
pub fn last_names(a: &str, b: &str) -> bool {
    let a = fold(a);
    !a.is_empty() && a == fold(b)
}

/// Words a company name carries for its legal form, ignored when names are compared.
const LEGAL: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "llc",
    "ltd",
    "limited",
    "plc",
    "gmbh",
    "sa",
    "sas",
    "ag",
    "bv",
    "nv",
    "pty",
    "lp",
    "llp",
    "the",
];

/// The company name as compared: folded, "and" for "&", legal-form words dropped.
pub fn company_key(s: &str) -> String {
    let folded = fold(&s.replace('&', " and "));
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty() && !LEGAL.contains(w))
        .collect();
    if words.is_empty() {
        folded
    } else {
        words.join(" ")
    }
}

/// Company names (the Salesforce method, "Company Name", threshold 70): equal once legal
/// forms are dropped, or Jaro-Winkler of at least 0.9 between those keys.
pub fn company_names(a: &str, b: &str) -> bool {
    let (a, b) = (company_key(a), company_key(b));
    !a.is_empty() && !b.is_empty() && (a == b || jaro_winkler(&a, &b) >= 0.9)
}

pub fn emails(a: &str, b: &str) -> bool {
    let a = a.trim();
    !a.is_empty() && a.to_lowercase() == b.trim().to_lowercase()
}

/// Digits only, a leading US country code dropped; at least 7 digits to compare.
/// A phone's digits, a leading US `1` of an 11-digit number dropped, with their count
/// (read without allocating: the duplicate rule compares many phones per record).
fn phone_digits(s: &str) -> (usize, impl Iterator<Item = char> + '_) {
    let n = s.chars().filter(char::is_ascii_digit).count();
    let mut digits = s.chars().filter(char::is_ascii_digit).peekable();
    let skip = n == 11 && digits.peek() == Some(&'1');
    (n - usize::from(skip), digits.skip(usize::from(skip)))
}

pub fn phones(a: &str, b: &str) -> bool {
    let (na, da) = phone_digits(a);
    let (nb, db) = phone_digits(b);
    na >= 7 && na == nb && da.eq(db)
}

/// The host of a website, without scheme, `www.`, path or port.
fn host(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.split(['/', ':', '?', '#'])
        .next()
        .unwrap_or("")
        .to_string()
}

pub fn websites(a: &str, b: &str) -> bool {
    let a = host(a);
    !a.is_empty() && a == host(b)
}

const STREET_WORDS: &[(&str, &str)] = &[
    ("street", "st"),
    ("avenue", "ave"),
    ("road", "rd"),
    ("boulevard", "blvd"),
    ("drive", "dr"),
    ("lane", "ln"),
    ("court", "ct"),
    ("place", "pl"),
    ("square", "sq"),
    ("highway", "hwy"),
    ("suite", "ste"),
    ("apartment", "apt"),
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
];

fn street_key(s: &str) -> String {
    fold(s)
        .split(' ')
        .map(|w| {
            STREET_WORDS
                .iter()
                .find(|(long, _)| *long == w)
                .map_or(w, |(_, short)| short)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Streets: equal once folded and common words abbreviated ("12 Main Street" = "12 main st").
pub fn streets(a: &str, b: &str) -> bool {
    let a = street_key(a);
    !a.is_empty() && a == street_key(b)
}

/// Cities, and anything else compared exactly once folded.
pub fn folded(a: &str, b: &str) -> bool {
    let a = fold(a);
    !a.is_empty() && a == fold(b)
}

/// Postal codes: the first five letters or digits (the Salesforce method is US-centric too).
pub fn zips(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(5)
            .collect::<String>()
            .to_lowercase()
    };
    let a = key(a);
    !a.is_empty() && a == key(b)
}

/// Titles: equal once folded, or one the acronym of the other ("VP" = "Vice President").
pub fn titles(a: &str, b: &str) -> bool {
    let (a, b) = (fold(a), fold(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let acronym = |short: &str, long: &str| {
        let initials: String = long.split(' ').filter_map(|w| w.chars().next()).collect();
        !short.contains(' ') && short.chars().count() >= 2 && initials == short
    };
    a == b || acronym(&a, &b) || acronym(&b, &a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_jaro_winkler() {
        assert_eq!(fold("  Zoë  O'Brien-Smith "), "zoe obriensmith");
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.001);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 0.001);
        assert_eq!(jaro_winkler("abc", "abc"), 1.0);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
    }

    #[test]
    fn first_names_match_fuzzily() {
        for (a, b) in [
            ("Robert", "bob"),
            ("J", "John"),
            ("Jon", "John"),
            ("Zoë", "zoe"),
            ("Katherine", "Kathryn"),
        ] {
            assert!(first_names(a, b), "{a} ~ {b}");
        }
        for (a, b) in [("John", "Mary"), ("", "John"), ("Sam", "Pat")] {
            assert!(!first_names(a, b), "{a} !~ {b}");
        }
    }

    #[test]
    fn company_names_ignore_legal_forms() {
        assert!(company_names("Acme, Inc.", "ACME Incorporated"));
        assert!(company_names("The Widget Company", "Widget Co"));
        assert!(company_names("Smith & Sons Ltd", "smith and sons"));
        assert!(company_names("Globex Corporation", "Globexx Corp"));
        assert!(!company_names("Acme", "Apex"));
        assert!(!company_names("Initech", "Umbrella"));
    }

    #[test]
    fn contact_points() {
        assert!(phones("+1 (415) 555-1234", "415.555.1234"));
        assert!(!phones("555-1234", "555-1235"));
        assert!(!phones("12", "12"), "too short to tell");
        assert!(websites("https://www.acme.example/about", "acme.example"));
        assert!(!websites("acme.example", "acme.test"));
        assert!(streets("12 Main Street", "12 main st."));
        assert!(!streets("12 Main Street", "14 Main Street"));
        assert!(zips("94105-1234", "94105"));
        assert!(titles("VP", "Vice President"));
        assert!(emails("A@X.io", " a@x.IO "));
        assert!(!emails("", ""));
        assert!(last_names("Müller", "muller"));
        assert!(!last_names("Smith", "Smyth"));
    }
}
