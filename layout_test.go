package xacct

// The limits that keep the module readable (one concept per file, a file
// held in mind at once): checked on every run, so that a change that
// breaks one says so where it is made.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	maxFileLines = 400 // a non-test file
	maxFuncLines = 60  // a non-test function, anywhere in the module
	maxCacheSize = 12  // the fields of a Cache's state

	// The root package's size and exported names: issue 16's limits, with
	// every feature's API in. Features to come put their mechanisms in
	// internal/, as these did.
	maxRootLines = 4000
	maxRootNames = 70
)

// goFiles returns the module's non-test Go files, parsed, by path.
func goFiles(t *testing.T) (map[string]*ast.File, *token.FileSet) {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "node_modules" || d.Name() == "testdata"):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files[path] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, fset
}

func TestLayoutLimits(t *testing.T) {
	t.Parallel()
	files, fset := goFiles(t)
	rootLines := 0
	for path, f := range files {
		lines := fset.File(f.Pos()).LineCount()
		if lines > maxFileLines {
			t.Errorf("%s: %d lines, over %d: split it by concept", path, lines, maxFileLines)
		}
		if !strings.Contains(path, string(os.PathSeparator)) {
			rootLines += lines
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			if n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1; n > maxFuncLines {
				t.Errorf("%s: func %s: %d lines, over %d", path, fd.Name.Name, n, maxFuncLines)
			}
		}
	}
	if rootLines > maxRootLines {
		t.Errorf("the root package has %d non-test lines, over %d: move mechanisms to internal/", rootLines, maxRootLines)
	}
	if n := len(rootExportedNames(files)); n > maxRootNames {
		t.Errorf("the root package has %d exported names, over %d: %v", n, maxRootNames, rootExportedNames(files))
	}
	if n := len(fieldsOf(files["cache.go"], "cacheState")); n > maxCacheSize || n == 0 {
		t.Errorf("a Cache's state (cacheState, cache.go) has %d fields, want 1 to %d", n, maxCacheSize)
	}
}

// standardMethods implement standard interfaces: they are not counted.
var standardMethods = map[string]bool{"Error": true, "Unwrap": true, "Is": true, "As": true, "String": true,
	"GoString": true, "Format": true, "Retrieve": true, "MarshalJSON": true, "UnmarshalJSON": true,
	"MarshalText": true, "UnmarshalText": true, "Read": true, "Write": true}

// rootExportedNames lists the root package's exported names: types,
// functions, constants, variables, and exported methods of exported types.
func rootExportedNames(files map[string]*ast.File) []string {
	var names []string
	for path, f := range files {
		if strings.Contains(path, string(os.PathSeparator)) {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && (d.Recv == nil || !standardMethods[d.Name.Name] && exportedRecv(d)) {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							names = append(names, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								names = append(names, n.Name)
							}
						}
					}
				}
			}
		}
	}
	return names
}

func exportedRecv(d *ast.FuncDecl) bool {
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// fieldsOf returns the field names of the struct type name in f.
func fieldsOf(f *ast.File, name string) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != name {
			return true
		}
		for _, fl := range ts.Type.(*ast.StructType).Fields.List {
			for _, n := range fl.Names {
				out = append(out, n.Name)
			}
		}
		return false
	})
	return out
}
