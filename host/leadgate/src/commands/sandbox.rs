//! `leadgate sandbox`: runs the sandbox org until Ctrl-C or SIGTERM, then saves its state file.
//!
//! The first line on stdout is `sandbox org listening on URL`, printed once the port is bound:
//! scripts and tests wait for it and take the URL from it (useful with `--port 0`).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use leadgate_sandbox::oauth::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, DEFAULT_SECURITY_TOKEN, DEFAULT_USERNAME,
};
use leadgate_sandbox::{FaultSettings, Sandbox, SandboxConfig};

use super::context::CommandContext;
use super::printer::Printer;
use crate::cli::SandboxArgs;

pub(super) fn run(args: &SandboxArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let faults: FaultSettings = match &args.faults {
        Some(text) => serde_json::from_str(text).context("--faults is not valid fault settings JSON")?,
        None => FaultSettings::default(),
    };
    let jwt_certificate_pem = match &args.jwt_certificate {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the JWT certificate `{}`", path.display()))?,
        ),
        None => None,
    };
    let config = SandboxConfig {
        address: SocketAddr::new(args.bind, args.port),
        daily_api_limit: args.api_limit,
        access_token_lifetime: Duration::from_secs(args.session_minutes.max(1) * 60),
        auto_approve: args.auto_approve,
        rotate_refresh_tokens: args.rotate_refresh_tokens,
        jwt_certificate_pem,
        duplicate_rule: !args.no_duplicate_rule,
        faults,
        tls: args.tls,
        state_file: args.state.clone(),
        ..SandboxConfig::default()
    };
    super::block_on(serve(config, args, context.printer()))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: SandboxConfig, args: &SandboxArgs, printer: &Printer) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(config)
        .await
        .context("cannot start the sandbox org")?;
    if let (Some(path), Some(pem)) = (&args.certificate_out, sandbox.certificate_pem()) {
        std::fs::write(path, pem)
            .with_context(|| format!("cannot write the certificate to `{}`", path.display()))?;
    }
    {
        let mut out = String::new();
        writeln!(out, "sandbox org listening on {}", sandbox.base_url())?;
        writeln!(out, "  instance URL / login host: {}", sandbox.base_url())?;
        writeln!(out, "  connected app client id:   {DEFAULT_CLIENT_ID}")?;
        writeln!(out, "  user:                      {DEFAULT_USERNAME}")?;
        if args.show_secrets {
            writeln!(out, "  client secret:             {DEFAULT_CLIENT_SECRET}")?;
            writeln!(
                out,
                "  password + security token: {DEFAULT_PASSWORD}{DEFAULT_SECURITY_TOKEN}"
            )?;
        } else {
            writeln!(
                out,
                "  client secret and password: fixed sandbox values, printed by `leadgate sandbox --show-secrets`"
            )?;
        }
        writeln!(
            out,
            "  control API:               {}/_sandbox/leads",
            sandbox.base_url()
        )?;
        if let Some(path) = &args.certificate_out {
            writeln!(out, "  TLS certificate:           {}", path.display())?;
        }
        if let Some(path) = &args.state {
            writeln!(
                out,
                "  state file:                {} (written at shutdown)",
                path.display()
            )?;
        }
        writeln!(out, "press Ctrl-C to stop")?;
        printer.text(&out)?;
    }
    stop_requested().await?;
    eprintln!("stopping the sandbox org");
    sandbox
        .shutdown()
        .await
        .context("cannot stop the sandbox org cleanly")?;
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM: a service manager or `kill` stops the org
/// with SIGTERM, and that must save the state file just as Ctrl-C does.
async fn stop_requested() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.context("cannot listen for Ctrl-C")?,
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")?;
    Ok(())
}
