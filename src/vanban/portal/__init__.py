"""Pages that span the apps: the home page and its counts, the navigation, operations, the
audit log. The top of the page layer: it imports the apps, and no app imports it."""
