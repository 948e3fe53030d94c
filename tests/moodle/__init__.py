"""A real Moodle 4.3 for the SCORM tests (site, learner, play, fixtures)."""
