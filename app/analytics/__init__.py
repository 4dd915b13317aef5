"""Numbers that trainer and HR pages both show: learning gain (gain.py) and evaluation
summaries (evaluations.py). Item analysis belongs here too when it comes (issue 13)."""
