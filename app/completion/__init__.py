"""When a course is complete, and what follows: the JP credit and the certificate job.

The three actions that can complete a course (a lesson marked done, a post-test submitted, an
evaluation filled) go through here, so learning, assessments, evaluations and certificates
never need to import each other."""
