"""Her optional evaluation (WWP EN B.6): the items, the stages, the offers, her answers, and the reports."""
