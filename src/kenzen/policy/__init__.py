"""Enforcement policy: the policy file, the Account Health Rating, violations and evaluation.

The pure core — :mod:`~kenzen.policy.document`, :mod:`~kenzen.policy.rating`,
:mod:`~kenzen.policy.decide`, :mod:`~kenzen.policy.assessment`, :mod:`~kenzen.policy.rules`
— is plain data and plain functions, so evaluation, shadow runs and backtests compute the
same thing and its tests need no database. :mod:`~kenzen.policy.violations` owns violation
state; :mod:`~kenzen.policy.enforcement` enforces one seller in the caller's transaction,
:mod:`~kenzen.policy.evaluation` runs many sellers one transaction each, and
:mod:`~kenzen.policy.shadow` compares a candidate policy without changing anything.
"""
