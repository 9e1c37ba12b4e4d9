"""What comes in: the hand-ins (intake), the course (source/ and its gradebook), each notebook repaired, and the jobs to run."""
