//! One integration-test binary: each module builds fixture sites with the
//! real `nqsite` binary and asserts on its output and messages.

mod build;
mod content;
mod conventions;
mod corpus2;
mod errors;
mod faults;
mod feeds;
mod harness;
mod hostile;
mod layout;
mod pdf;
mod portals;
mod safety;
mod scaffold;
mod search;
mod serve;
mod serve_hostile;
mod shipped;
mod xref;
