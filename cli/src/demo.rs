//! `sfsync demo`: the whole system on this machine. Both simulators start on loopback, get
//! seeded, the poller and the four workers run through the same code as the Lambdas (with
//! in-memory queue, state and Error Log), people's edits in iPaaS.com drive the FROM flows
//! by webhook, and a set of short stories makes every message of the catalog happen once.
//! The report shows what each flow did, the API calls spent and the Error Logs.

use crate::dataset::Dataset;
use crate::stack::{salesforce_secret, LocalStack, StackOptions, Tally, SALESFORCE_SECRET};
use serde_json::{json, Value};
use shared::catalog::{MessageId, CATALOG};
use shared::error_log::ErrorLogEntry;
use shared::flow::Flow;
use shared::flows::SyncType;
use shared::ipaas::LinkTable;
use shared::salesforce::SalesforceId;
use sim::faults::Faults;
use sim::salesforce::{Condition, ValidationRule};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub accounts: usize,
    pub contacts: usize,
    pub data: Option<PathBuf>,
    /// Share (0–1) of calls to each simulator answered with a transient error.
    pub faults: f64,
    pub seed: u64,
    /// Play the stories that make every catalog message happen (after the seeded data).
    pub stories: bool,
    /// Print progress while running.
    pub progress: bool,
    /// A mapping document to sync with (`--mapping`); the built-in mapping otherwise.
    pub mapping: Option<PathBuf>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            accounts: 200,
            contacts: 400,
            data: None,
            faults: 0.0,
            seed: 42,
            stories: true,
            progress: true,
            mapping: None,
        }
    }
}

pub struct DemoReport {
    pub tally: Tally,
    /// API calls spent on the seeded records (entering, editing and syncing them).
    pub salesforce_calls: u64,
    pub ipaas_calls: u64,
    /// API calls the stories spent on top (none without stories).
    pub story_calls: Option<(u64, u64)>,
    pub elapsed: Duration,
    pub errors: Vec<ErrorLogEntry>,
    pub synced_records: usize,
    /// With `--mapping`: custom values and where they arrived.
    pub custom_values: Vec<String>,
}

impl DemoReport {
    /// Catalog messages that appeared in the Error Logs.
    pub fn raised(&self) -> Vec<MessageId> {
        CATALOG
            .iter()
            .map(|e| e.id)
            .filter(|id| self.errors.iter().any(|e| e.message_id == *id))
            .collect()
    }
}

/// Runs the demo on a fresh local stack and returns the stack (for `--serve`) and the report.
pub async fn run(opts: &DemoOptions) -> anyhow::Result<(LocalStack, DemoReport)> {
    let mut data = match &opts.data {
        Some(path) => Dataset::load(path)?,
        None => Dataset::generate(opts.accounts, opts.contacts, opts.seed),
    };
    let mapping = match &opts.mapping {
        Some(path) => Some(Arc::new(shared::mapping::document::Mapping::from_file(
            path,
        )?)),
        None => None,
    };
    let started = Instant::now();
    let mut stack = LocalStack::start(StackOptions {
        mapping: mapping.clone().unwrap_or_default(),
        ..StackOptions::default()
    })
    .await?;
    data.declare_fields(&stack.salesforce)?;
    if let Some(m) = &mapping {
        crate::demo_mapping::prepare(&stack, m, &mut data);
    }
    let faults = Faults {
        rate_503: opts.faults,
        ..Default::default()
    };
    stack.salesforce.set_faults(faults.clone());
    stack.ipaas.set_faults(faults.clone());
    let bar = progress_bar(opts.progress);
    {
        let (bar, queue) = (bar.clone(), stack.queue.clone());
        stack.on_processed(move |n| {
            bar.inc(n as u64);
            let waiting: usize = Flow::ALL.iter().map(|f| queue.len(*f)).sum();
            bar.set_message(format!("{waiting} waiting"));
        });
    }
    // The steps go to stderr with the progress, so stdout holds only the report.
    let say = |s: &str| {
        if bar.is_hidden() {
            eprintln!("{s}");
        } else {
            bar.println(s);
        }
    };
    let mut skipped = SkipCount::default();

    say("1. People enter Accounts and Contacts in Salesforce; the poller sends them to iPaaS.com.");
    let mut account_ids = Vec::new();
    for a in &data.salesforce.accounts {
        account_ids.push(stack.person_creates("Account", Value::Object(a.clone())));
    }
    for c in &data.salesforce.contacts {
        let mut fields = Value::Object(c.fields.clone());
        if let Some(p) = c.parent {
            fields["AccountId"] = json!(account_ids[p].as_str());
        }
        stack.person_creates("Contact", fields);
    }
    skipped.sync(&stack).await?;

    say("2. People enter Companies and Customers in iPaaS.com; webhooks bring them to Salesforce.");
    let mut company_ids = Vec::new();
    for c in &data.ipaas.companies {
        company_ids.push(
            stack
                .ipaas
                .edit_company_as_person(None, Value::Object(c.clone())),
        );
    }
    for c in &data.ipaas.customers {
        let mut fields = Value::Object(c.fields.clone());
        if let Some(p) = c.parent {
            fields["company_id"] = json!(company_ids[p]);
        }
        stack.ipaas.edit_customer_as_person(None, fields);
    }
    stack.drain().await;

    say("3. People edit records on both sides; each edit is one write on the other side.");
    for (i, id) in account_ids.iter().enumerate().filter(|(i, _)| i % 10 == 0) {
        stack.salesforce.edit_as_person(
            "Account",
            id.as_str(),
            json!({"Phone": format!("555-9{i:03}")}),
        );
    }
    for (i, id) in company_ids.iter().enumerate().filter(|(i, _)| i % 10 == 0) {
        stack.ipaas.edit_company_as_person(
            Some(*id),
            json!({"description": format!("Edited in iPaaS.com ({i})")}),
        );
    }
    skipped.sync(&stack).await?;
    let seeded_calls = (
        stack.salesforce.counters().total(),
        stack.ipaas.counters().total(),
    );

    let mut story_calls = None;
    if opts.stories {
        say("4. Things go wrong, one story per message of the catalog.");
        stories(&mut stack, &faults, &mut skipped).await?;
        story_calls = Some((
            stack.salesforce.counters().total() - seeded_calls.0,
            stack.ipaas.counters().total() - seeded_calls.1,
        ));
    }
    bar.finish_and_clear();
    if bar.is_hidden() {
        eprintln!("Done: {} messages worked.", bar.position());
    }

    let mut tally = stack.tally();
    for (flow, n) in skipped.by_flow {
        *tally.entry(flow).or_default().entry("skipped").or_default() += n;
    }
    let report = DemoReport {
        tally,
        salesforce_calls: seeded_calls.0,
        ipaas_calls: seeded_calls.1,
        story_calls,
        elapsed: started.elapsed(),
        errors: stack.error_log(),
        synced_records: data.salesforce.accounts.len()
            + data.salesforce.contacts.len()
            + data.ipaas.companies.len()
            + data.ipaas.customers.len(),
        custom_values: mapping
            .as_ref()
            .map(|m| crate::demo_mapping::arrivals(&stack, m))
            .unwrap_or_default(),
    };
    Ok((stack, report))
}

/// Records the poller passed over by design (Contacts without an Account), which the
/// workers never see, so the report's "skipped" holds them too.
#[derive(Default)]
struct SkipCount {
    by_flow: std::collections::BTreeMap<Flow, usize>,
}

impl SkipCount {
    /// One poll (counted) and the drain after it: `LocalStack::sync` with the skips kept.
    async fn sync(&mut self, stack: &LocalStack) -> anyhow::Result<()> {
        self.poll(stack).await?;
        stack.drain().await;
        Ok(())
    }

    async fn poll(&mut self, stack: &LocalStack) -> anyhow::Result<()> {
        for (flow, report) in stack.poll().await? {
            *self.by_flow.entry(flow).or_default() += report.skipped_no_account;
        }
        Ok(())
    }
}

fn progress_bar(enabled: bool) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos} messages worked in {elapsed}, {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message("0 waiting");
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Each story makes one catalog message happen the way it happens for real.
async fn stories(
    stack: &mut LocalStack,
    faults: &Faults,
    skipped: &mut SkipCount,
) -> anyhow::Result<()> {
    let person = stack.salesforce.person_user_id();
    // A Company under which Customers are made.
    let parent = stack
        .ipaas
        .edit_company_as_person(None, json!({"name": "Story Parent Inc"}));
    stack.drain().await;

    // Salesforce rejected the new account / contact: validation rules in the org.
    for (object, field) in [("Account", "Name"), ("Contact", "LastName")] {
        stack.salesforce.add_validation_rule(ValidationRule {
            object: object.into(),
            field: field.into(),
            condition: Condition::StartsWith("REJECT".into()),
            message: format!("{field} may not start with REJECT (demo validation rule)"),
            error_field: Some(field.into()),
        });
    }
    stack
        .ipaas
        .edit_company_as_person(None, json!({"name": "REJECT Holdings"}));
    stack.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "REJECT Smith", "email_address": "reject@story.example", "company_id": parent}),
    );

    // DUPLICATES_DETECTED: an Account of that name was loaded into Salesforce by a data import.
    stack.salesforce.insert(
        "Account",
        json!({"Name": "Twin Industries", "Phone": "+1 415 555 0142"}),
    );
    stack.ipaas.edit_company_as_person(
        None,
        json!({"name": "Twin Industries", "phone_number": "415-555-0142"}),
    );

    // AccountId is null or empty on the iPaaS Customer record: a Customer without Company.
    stack.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "Loner", "email_address": "loner@story.example"}),
    );

    // Could not locate account by Id: the Company is linked to an Account deleted since.
    let ghost = SalesforceId::from_parts("001", "8M0", 999_999);
    let haunted = stack.ipaas.insert_company(json!({"name": "Haunted Ltd"}));
    stack
        .ctx
        .ipaas
        .write_link(LinkTable::Company, ghost.as_str(), haunted)
        .await?;
    stack.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "Ghost", "email_address": "ghost@story.example", "company_id": haunted}),
    );

    // Unable to dynamically link…: a Customer without email, and one whose email two
    // Contacts share.
    stack
        .ipaas
        .edit_customer_as_person(None, json!({"last_name": "No Email", "company_id": parent}));
    let parent_account = stack
        .salesforce
        .records("Account")
        .into_iter()
        .find(|a| a["Name"] == "Story Parent Inc")
        .and_then(|a| a["Id"].as_str().map(str::to_string))
        .unwrap_or_default();
    for first in ["Pat", "Sam"] {
        stack.salesforce.insert(
            "Contact",
            json!({"FirstName": first, "LastName": "Shared", "Email": "shared@story.example", "AccountId": parent_account, "LastModifiedById": person}),
        );
    }
    stack.ipaas.edit_customer_as_person(
        None,
        json!({"first_name": "Alex", "last_name": "Shared", "email_address": "shared@story.example", "company_id": parent}),
    );
    stack.drain().await;

    // Account Id is null or empty…: the operator sets Account FROM iPaaS.com to Update only.
    stack.options.settings.account_from_ipaas.sync_type = SyncType::Update;
    stack
        .ipaas
        .edit_company_as_person(None, json!({"name": "Update Only Co"}));
    stack.drain().await;
    stack.options.settings.account_from_ipaas.sync_type = SyncType::AddAndUpdate;

    // Error calling SalesForce (Http Code: 503): Salesforce is down while a Company changes.
    stack.salesforce.set_faults(Faults {
        rate_503: 1.0,
        only_paths: vec!["/composite/".into()],
        ..Default::default()
    });
    stack
        .ipaas
        .edit_company_as_person(Some(parent), json!({"phone_number": "555-0503"}));
    stack.drain().await;
    stack.salesforce.set_faults(faults.clone());

    // An iPaaS.com API error was returned.: iPaaS.com is down while an Account changes.
    stack.ipaas.set_faults(Faults {
        rate_503: 1.0,
        only_paths: vec!["/customers/".into()],
        ..Default::default()
    });
    let account = stack.person_creates("Account", json!({"Name": "Story Cloud Corp"}));
    skipped.sync(stack).await?;
    stack.ipaas.set_faults(faults.clone());

    // Refresh token value is either null or empty…: someone revokes the connected app.
    for t in stack.salesforce.live_refresh_tokens() {
        stack.salesforce.revoke_refresh_token(&t);
    }
    stack.salesforce.expire_access_tokens();
    stack.restart_clients()?;
    skipped.poll(stack).await?;
    // …and an administrator connects again (what `sfsync connect` does).
    let token = stack.salesforce.issue_refresh_token();
    stack.secrets.insert(
        SALESFORCE_SECRET,
        &salesforce_secret(&stack.salesforce, &token),
    );
    stack.restart_clients()?;
    stack
        .salesforce
        .edit_as_person("Account", account.as_str(), json!({"Phone": "555-0001"}));
    skipped.sync(stack).await?;
    Ok(())
}

/// The report a person reads at the end.
pub fn render(report: &DemoReport) -> String {
    let mut out = String::new();
    let labels = [
        "created",
        "updated",
        "linked",
        "unchanged",
        "skipped",
        "stale",
        "failed",
    ];
    let _ = writeln!(
        out,
        "\nWhat each flow did (messages; failed = ended in the dead-letter queue)\n"
    );
    let _ = write!(out, "{:<36}", "flow");
    for l in labels {
        let _ = write!(out, "{l:>10}");
    }
    out.push('\n');
    for flow in Flow::ALL {
        let _ = write!(out, "{:<36}", flow.title());
        let counts = report.tally.get(&flow);
        for l in labels {
            let n = counts.and_then(|c| c.get(l)).copied().unwrap_or(0);
            let _ = write!(out, "{n:>10}");
        }
        out.push('\n');
    }
    let per = |calls: u64| calls as f64 / report.synced_records.max(1) as f64;
    let _ = writeln!(
        out,
        "\nAPI calls for the {} seeded records: Salesforce {} ({:.2} per record), iPaaS.com {} ({:.2} per record)",
        report.synced_records,
        report.salesforce_calls,
        per(report.salesforce_calls),
        report.ipaas_calls,
        per(report.ipaas_calls)
    );
    if let Some((sf, ip)) = report.story_calls {
        let _ = writeln!(
            out,
            "API calls of the stories (not in the figures above): Salesforce {sf}, iPaaS.com {ip}"
        );
    }
    let _ = writeln!(out, "Elapsed: {:.1} s", report.elapsed.as_secs_f64());
    if !report.custom_values.is_empty() {
        let _ = writeln!(out, "\nCustom fields of the mapping, on both sides\n");
        for line in &report.custom_values {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(
        out,
        "\nError Logs (iPaaS.com → Integration Monitoring → Error Logs): {} entries\n",
        report.errors.len()
    );
    for e in &report.errors {
        let record = e
            .record
            .as_ref()
            .map(|r| format!("{} {} {}", r.system, r.kind, r.id))
            .unwrap_or_else(|| "-".into());
        let flow = e.flow.map(|f| f.title()).unwrap_or("-");
        let _ = writeln!(
            out,
            "{}  {:<8} {:<36} {:<32} {}",
            e.time.format("%H:%M:%S"),
            e.severity.to_string(),
            flow,
            record,
            e.message
        );
        if let Some(d) = &e.detail {
            let _ = writeln!(out, "{:>10}{}", "", shared::ipaas::truncate_chars(d, 160));
        }
    }
    if report.story_calls.is_some() {
        let raised = report.raised();
        let _ = writeln!(
            out,
            "\nCatalog messages raised: {} of {}",
            raised.len(),
            CATALOG.len()
        );
        for entry in CATALOG.iter().filter(|e| !raised.contains(&e.id)) {
            let _ = writeln!(out, "  not raised: {}", entry.slug);
        }
    }
    out
}
