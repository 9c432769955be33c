package framework

import (
	"context"
	"time"

	"github.com/chromedp/chromedp"
)

// pageContent reads the visible text and the markup of the page in tab, for
// specs that judge what a consent page shows (the redirect host, a warning,
// a logo from another host).
func pageContent(ctx, tab context.Context, timeout time.Duration) (text, html string) {
	type content struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	}
	c, _ := runWithin(ctx, tab, timeout, chromedp.Evaluate[content](
		`({text: document.body ? document.body.innerText.slice(0, 20000) : "", html: document.documentElement.outerHTML.slice(0, 100000)})`))
	return c.Text, c.HTML
}
