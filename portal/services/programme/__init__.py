"""Programme events about him and their fan-out to her worker's tasks and her messages."""
