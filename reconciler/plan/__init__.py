"""Planning: pure functions from desired specs and live objects to a Plan of Changes."""
