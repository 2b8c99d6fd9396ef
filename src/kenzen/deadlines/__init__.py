"""Decision deadlines: when each waiting decision is due, the staff queues in due order, and
the one staff notice an overdue item raises."""
