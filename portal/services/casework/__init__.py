"""Her worker's side: cases, the read side of her record, contact log, tasks, escalation, erasure."""
