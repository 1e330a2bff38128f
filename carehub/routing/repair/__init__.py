"""Changes to a plan already made: insertion into published routes, exchanges that free a
place for a left-over visit, and the extra shifts a short day would need."""
