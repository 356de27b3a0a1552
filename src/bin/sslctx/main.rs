//! `sslctx`: Python's `ssl` module from the command line, printing JSON in CPython's
//! shapes (see DESIGN.md §5 for the contract).

#![forbid(unsafe_code)]

mod ciphers_cmd;
mod connect_cmd;
mod context_cmd;
mod decode_cmd;
mod demo;
mod output;
mod pyrepr;
mod serve_cmd;
mod tls_opts;
mod verify_cmd;

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
    /// A loopback TLS connection with a freshly generated certificate: both sides' view.
    Demo(demo::DemoArgs),
    /// Apply `--op NAME=VALUE` steps to a new context and print its state.
    Context(context_cmd::ContextArgs),
    /// `ssl._ssl._test_decode_cert(PATH)`.
    DecodeCert(decode_cmd::DecodeArgs),
    /// `get_ciphers()` of a fresh client (or server) context after `set_ciphers`.
    Ciphers(ciphers_cmd::CiphersArgs),
    /// Offline chain and hostname verification, as a client context does it.
    Verify(verify_cmd::VerifyArgs),
    /// Connect to HOST:PORT, handshake, print the connection's summary.
    Connect(connect_cmd::ConnectArgs),
    /// A TLS echo server on loopback; prints a summary line per connection.
    Serve(serve_cmd::ServeArgs),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Context(args) => output::emit(context_cmd::run(&args)),
        Command::DecodeCert(args) => output::emit(decode_cmd::run(&args)),
        Command::Ciphers(args) => output::emit(ciphers_cmd::run(&args)),
        Command::Verify(args) => output::emit(verify_cmd::run(&args)),
        Command::Connect(args) => connect_cmd::run(&args),
        Command::Serve(args) => serve_cmd::run(&args),
    };
    std::process::exit(code);
}
