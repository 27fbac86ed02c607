"""`make test-scale`: the stack scaled out on loopback (two of each server behind HAProxy)."""
