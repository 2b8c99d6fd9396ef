"""The Selling Partner API, spoken by a Kenzen marketplace: Login-with-Amazon-style tokens,
Reports, Notifications and Sellers, so tools written for Amazon work unchanged."""
