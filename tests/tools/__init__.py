"""Developer tools run by make: the NLU evaluation (`make eval`) and the held-out NLU check
(`make test-nlu`)."""
