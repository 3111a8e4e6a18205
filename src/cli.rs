//! Command-line interface (clap derive). Help is in English; messages about
//! content are Vietnamese.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// nqsite: build a cross-linked static site for a resolution and its documents.
#[derive(Debug, Parser)]
#[command(name = "nqsite", version, about, long_about = None)]
pub struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default: <root>/public).
    Build(BuildArgs),
    /// Run the whole pipeline and report every problem, writing nothing.
    Check(CheckArgs),
    /// Build, serve on loopback, rebuild on every change and reload the browser.
    Serve(ServeArgs),
    /// Create a content file of a declared type (or a free page), or start a new site (`new site DIR`).
    New(NewArgs),
}

/// The site to work on: flags shared by `build`, `check` and `serve`.
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// Site root: the folder holding content/, site.yaml and themes/.
    #[arg(short, long, default_value = ".")]
    pub root: PathBuf,
    /// Province profile to apply: profiles/<NAME>.yaml (site name, office, logo, colours, local guidance).
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// Flags of `nqsite serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Port to listen on (0 picks a free port; the address is printed).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to bind; keep 127.0.0.1 unless other machines must see the preview.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Output folder (default: a folder of this process in the system temp folder,
    /// never public/, removed when the server stops).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Replace a non-empty --output folder that nqsite did not make (never a source folder).
    #[arg(long)]
    pub force: bool,
    /// Base URL of the preview (default: /).
    #[arg(short = 'u', long)]
    pub base_url: Option<String>,
}

/// Flags of `nqsite new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// A document type declared in `types:` of site.yaml (`nqsite new --list` shows them),
    /// `page` for a free page, or `site` to start a new site in the folder given next.
    #[arg(value_name = "TYPE")]
    pub kind: Option<String>,
    /// Site root: the folder holding content/ and site.yaml.
    #[arg(short, long, default_value = ".")]
    pub root: PathBuf,
    /// Folder under content/ for the new file (default: where documents of the type are).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<String>,
    /// List the types this site can create, with their labels.
    #[arg(long)]
    pub list: bool,
    /// The title (several words allowed); for `new site`, the folder of the new site.
    #[arg(value_name = "TITLE")]
    pub title: Vec<String>,
}

/// Flags of `nqsite build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder (default: <root>/public). Replaced atomically on success; only a
    /// folder nqsite made (it holds a .nqsite-output file), an empty or a missing one.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Replace a non-empty output folder or --zip file that nqsite did not make.
    /// Never the site root, a folder holding it, or a source folder.
    #[arg(long)]
    pub force: bool,
    /// Fail at once when another build is writing into the output folder, instead of waiting.
    #[arg(long)]
    pub no_wait: bool,
    /// Base URL the site is served from, e.g. https://portal.gov.vn/nq57/ (overrides site.yaml).
    #[arg(short = 'u', long)]
    pub base_url: Option<String>,
    /// Relative links and explicit index.html everywhere: the output works opened from file://.
    #[arg(long)]
    pub portable: bool,
    /// Also write a zip of the portable copy to FILE (implies --portable), for offline distribution.
    #[arg(long, value_name = "FILE")]
    pub zip: Option<PathBuf>,
    /// Print the time taken by each stage of the pipeline.
    #[arg(long)]
    pub timings: bool,
    /// Include the editors' guide (sections with `editor_only: true`).
    #[arg(long)]
    pub editor_guide: bool,
    /// Also print the infographic and the booklets to <page>/ban-in.pdf with a headless
    /// Chromium, if one is installed (else a warning; the site is built either way).
    #[arg(long)]
    pub pdf: bool,
}

/// Flags of `nqsite check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Print the time taken by each stage of the pipeline.
    #[arg(long)]
    pub timings: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
