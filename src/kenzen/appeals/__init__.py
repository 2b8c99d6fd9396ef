"""Appeals: the Plan of Action, its checker, the guidance AHS gives, and the review desk."""
