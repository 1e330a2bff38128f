"""CareHub: home-care dispatch for community elderly-care stations.

The application is built by ``carehub.app.create_app``; this package imports nothing, so
the optimiser (``carehub.routing``) loads without Flask."""
