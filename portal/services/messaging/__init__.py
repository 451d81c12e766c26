"""Messages to and from her: the outbox, the dispatcher, delivery reports, inbound texts."""
