"""What hookwise does, as plain functions over typed values. No click here."""
