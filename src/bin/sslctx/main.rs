//! `sslctx`: Python's `ssl` module from the command line, printing JSON in CPython's
//! shapes (see DESIGN.md §5 for the contract).

mod context_cmd;
mod output;

use clap::{Parser, Subcommand};

/// Python's ssl.SSLContext on rustls, from the command line.
#[derive(Parser)]
#[command(name = "sslctx", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply `--op NAME=VALUE` steps to a new context and print its state.
    Context(context_cmd::ContextArgs),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Context(args) => output::emit(context_cmd::run(&args)),
    };
    std::process::exit(code);
}
