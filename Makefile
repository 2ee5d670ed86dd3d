# Shortcuts; the README's commands are the source of truth.
.PHONY: format lint test run

format:
	cargo fmt --all

lint:
	cargo clippy --all-targets -- -D warnings

test:
	cargo test

run:
	cargo run --release -- serve
