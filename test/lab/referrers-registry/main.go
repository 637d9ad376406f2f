// A registry that serves the OCI 1.1 referrers API, for the lab and the tests: go-containerregistry's
// in-memory pkg/registry with referrers support, made to answer the way the distribution spec asks:
//   - a manifest PUT with a subject answers OCI-Subject (so clients know the registry keeps the
//     referrers itself and write no fallback tag);
//   - GET /v2/<name>/referrers/<digest> answers 200 with an empty index for a repository that has
//     nothing yet (pkg/registry answers 404 NAME_UNKNOWN, which clients read as "no referrers API").
//
// Usage: referrers-registry -addr 127.0.0.1:0   (prints "listening on host:port" once ready)
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/registry"
)

type subjectResponse struct {
	http.ResponseWriter
	subject     string
	wroteHeader bool
}

func (w *subjectResponse) WriteHeader(status int) {
	if !w.wroteHeader && status == http.StatusCreated && w.subject != "" {
		w.Header().Set("OCI-Subject", w.subject)
	}
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *subjectResponse) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// bufferedResponse holds an answer so it can be replaced.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

func isReferrers(r *http.Request) bool {
	parts := strings.Split(r.URL.Path, "/")
	return r.Method == http.MethodGet && len(parts) >= 5 && parts[len(parts)-2] == "referrers"
}

func isManifestPut(r *http.Request) bool {
	parts := strings.Split(r.URL.Path, "/")
	return r.Method == http.MethodPut && len(parts) >= 5 && parts[len(parts)-2] == "manifests"
}

func handler(inner http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isManifestPut(r):
			body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			var m struct {
				Subject *struct {
					Digest string `json:"digest"`
				} `json:"subject"`
			}
			_ = json.Unmarshal(body, &m)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			sw := &subjectResponse{ResponseWriter: w}
			if m.Subject != nil {
				sw.subject = m.Subject.Digest
			}
			inner.ServeHTTP(sw, r)
		case isReferrers(r):
			buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
			inner.ServeHTTP(buf, r)
			if buf.status == http.StatusNotFound {
				empty := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`)
				w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
				w.Header().Set("Content-Length", fmt.Sprint(len(empty)))
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(empty)
				return
			}
			for k, v := range buf.header {
				w.Header()[k] = v
			}
			w.WriteHeader(buf.status)
			_, _ = w.Write(buf.body.Bytes())
		default:
			inner.ServeHTTP(w, r)
		}
	})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	quiet := flag.Bool("quiet", true, "log no requests")
	flag.Parse()
	logger := log.New(os.Stderr, "", log.LstdFlags)
	if *quiet {
		logger = log.New(io.Discard, "", 0)
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", listener.Addr().String())
	server := &http.Server{Handler: handler(registry.New(registry.WithReferrersSupport(true), registry.Logger(logger)))}
	log.Fatal(server.Serve(listener))
}
