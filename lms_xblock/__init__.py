"""The Open edX XBlock of the union LMS: launches a module from the backend in a signed iframe and
publishes the backend's result as grade and completion. Talks to the backend over HTTP only."""
