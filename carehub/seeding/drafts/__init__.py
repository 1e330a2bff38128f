"""Drafts of people and care plans as plain column dictionaries, with their names."""
