"""The walls around student code: limits, a uid and a cgroup per sandbox, bubblewrap, and the bounded, sanitizing reader of what comes out."""
