"""Reading a plan: the seed-text parser, the unit registry, deadlines and the bundled plan."""
