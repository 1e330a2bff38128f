"""Who may go when, and to whom: caregivers' dated absences and elders' preferred and
"do not send" caregivers, as the planner and every proposal read them."""
