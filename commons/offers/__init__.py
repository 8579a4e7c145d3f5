"""Offers and needs on commons and pacts, with the "I can help" answers, and the results of
pacts in force (their monitoring figures and photos, per pact and per district)."""
