"""User accounts: registration, sign-in and the messages sent to applicants."""
