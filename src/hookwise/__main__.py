"""`python -m hookwise` runs the CLI; the native hook starts the worker this way."""

from hookwise.cli import run

if __name__ == "__main__":
    run()
