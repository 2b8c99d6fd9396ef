"""The transparency report (DSA Art. 15 and 24): notices, actions, decision times and
reversals over a period, counted from the audit log and the records."""
