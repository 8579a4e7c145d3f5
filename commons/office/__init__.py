"""The collaboration office's work: the queue of cases and the deadline of each case's step."""
