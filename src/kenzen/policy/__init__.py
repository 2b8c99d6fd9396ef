"""Enforcement policy: the policy file, the Account Health Rating and the pure decision.

Everything here is plain data and plain functions, so evaluation runs, shadow runs and
backtests all compute the same thing and the tests need no database.
"""
