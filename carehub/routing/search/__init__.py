"""The search for a day's plan: the OR-Tools model, the greedy fallback, ruin and recreate."""
