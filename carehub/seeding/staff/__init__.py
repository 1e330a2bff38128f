"""Staffing stations for their demand: the arithmetic, the team builder and its report."""
