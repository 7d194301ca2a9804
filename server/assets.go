package server

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// assets serves the embedded static files under content-hashed names
// (app.3f2a9c1b.css), so browsers may cache them forever and a new release
// is never hidden behind an old cached copy.
type assets struct {
	hashed map[string]string // logical name → hashed name
	files  map[string][]byte // hashed name → content
}

func newAssets() (*assets, error) {
	a := &assets{hashed: map[string]string{}, files: map[string][]byte{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		content, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		logical := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(content)
		ext := path.Ext(logical)
		name := strings.TrimSuffix(logical, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		a.hashed[logical] = name
		a.files[name] = content
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	return a, nil
}

// url returns the hashed URL of a static file; templates call it as asset.
func (a *assets) url(logical string) (string, error) {
	name, ok := a.hashed[logical]
	if !ok {
		return "", fmt.Errorf("no static file %q", logical)
	}
	return "/static/" + name, nil
}

func (s *Server) handleStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	content, ok := s.assets.files[name]
	if !ok {
		s.handleNoRoute(c)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(200, mime.TypeByExtension(path.Ext(name)), content)
}
