"""Order and defect events: formats, readers and the columnar event store."""
