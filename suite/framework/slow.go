package framework

// Slow marks a spec that takes long or puts load on the server (for example a
// burst of failed logins): it gets the label "slow", which the default label
// filter leaves out, so it runs only when asked for (--label-filter=slow).
func Slow(d *specDef) { d.labels = append(d.labels, "slow") }
