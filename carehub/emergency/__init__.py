"""Emergency dispatch: proposals, offers to caregivers, escalation and the emergency timeline."""
