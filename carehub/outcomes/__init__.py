"""What the office does with what the phone records: the visit's record shown to
dispatchers and auditors, and the consequences of a visit's outcome (docs/outcomes.md)."""
