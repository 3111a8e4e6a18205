//! One integration-test binary: each module builds fixture sites with the
//! real `nqsite` binary and asserts on its output and messages.

mod build;
mod errors;
mod faults;
mod harness;
mod hostile;
mod pdf;
mod portals;
mod search;
mod serve;
mod shipped;
mod xref;
