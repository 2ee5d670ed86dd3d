//! The IPADIC dictionary compiled by `build.rs`, embedded in the binary.
lindera_dictionary::embedded_dictionary!("/lindera-ipadic", EmbeddedIpadicLoader);
