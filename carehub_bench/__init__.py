"""Benchmarks of the route planner, kept out of the product: the Solomon VRPTW reader and
portfolio (with route elimination), and generated district days. ``carehub bench ...``
registers its commands from here."""
