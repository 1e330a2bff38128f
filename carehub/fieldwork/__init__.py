"""What the caregiver's phone records and reads, shared by the features that use it: visit
events, checklists and emergency offers (models, vocab), the route as the phone sees it, and
the JSON API's bearer authentication and payload checks. The phone's own pages and API
(mobile), emergencies, notifications and outcomes all sit above it."""
