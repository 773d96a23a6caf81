package scenario

import (
	"encoding/json"
	"reflect"

	"github.com/invopop/jsonschema"
)

// Schema returns the JSON Schema (draft 2020-12) of the scenario format.
// Value ranges that depend on other parts of the file (weights summing to 1,
// options named by a value table) are checked by Parse, not by the schema.
func Schema() []byte {
	r := &jsonschema.Reflector{
		FieldNameTag:               "json",
		RequiredFromJSONSchemaTags: false,
		DoNotReference:             false,
		Mapper:                     schemaFor,
	}
	s := r.Reflect(&File{})
	s.Title = "parley scenario"
	s.Description = "A multi-party negotiation: issues, parties and their preferences, with the sources numbers rest on."
	s.ID = "https://parley.invalid/schema/scenario-1.json"
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // the schema is built from static types; failure is a bug
	}
	return append(b, '\n')
}

// one is a bound of the schema.
var one = uint64(1)

// schemaFor describes the types that accept more than one spelling.
func schemaFor(t reflect.Type) *jsonschema.Schema {
	switch t {
	case numberType:
		annotated := (&jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true}).Reflect(numberFields{})
		annotated.Version, annotated.ID = "", ""
		annotated.Required = []string{"value"}
		return &jsonschema.Schema{
			Description: "A number, or {value, source: {document, quote}} or {value, assumption: {why, range}}, or both with source.direction_only (the quote gives the direction, the assumption the size).",
			OneOf:       []*jsonschema.Schema{{Type: "number"}, annotated},
		}
	case deadlineDefType:
		fields := (&jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Mapper: schemaFor}).Reflect(deadlineFields{})
		fields.Version, fields.ID = "", ""
		return &jsonschema.Schema{
			Description: "The scenario's deadline: a date (2006-01-02, with a calendar), or {date | rounds, source|assumption}.",
			OneOf:       []*jsonschema.Schema{{Type: "string"}, fields},
		}
	case decidesDefType:
		fields := (&jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Mapper: schemaFor}).Reflect(decidesFields{})
		fields.Version, fields.ID = "", ""
		return &jsonschema.Schema{
			Description: "How a coalition whose members have preferences accepts a deal: unanimity, leader or weighted, or {rule, leader, qualified_majority: {share}, source}.",
			OneOf:       []*jsonschema.Schema{{Type: "string", Enum: []any{"unanimity", "leader", "weighted"}}, fields},
		}
	case ratificationDefType:
		body := (&jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Mapper: schemaFor}).Reflect(ratificationFields{})
		body.Version, body.ID = "", ""
		return &jsonschema.Schema{
			Description: "How the party's constituency ratifies a deal: one body, or a list of bodies that must all pass it.",
			OneOf:       []*jsonschema.Schema{body, {Type: "array", Items: body, MinItems: &one}},
		}
	case valueDefType:
		shape := (&jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Mapper: schemaFor}).Reflect(ShapeDef{})
		shape.Version, shape.ID = "", ""
		shape.MinProperties = &one
		shape.MaxProperties = &one
		given := &jsonschema.Schema{
			Type:                 "object",
			Description:          "A conditional clause: in deals matching if, the options listed are worth these values instead.",
			Required:             []string{"if"},
			Properties:           jsonschema.NewProperties(),
			AdditionalProperties: schemaFor(numberType),
		}
		given.Properties.Set("if", &jsonschema.Schema{
			Type:                 "object",
			Description:          "Issue id to the values that make the condition hold (every listed issue at one of its values).",
			AdditionalProperties: &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "string"}},
		})
		table := &jsonschema.Schema{
			Type:                 "object",
			Description:          "Option id to value in [0,1] (discrete issues); given: lists conditional values.",
			Properties:           jsonschema.NewProperties(),
			AdditionalProperties: schemaFor(numberType),
		}
		table.Properties.Set("given", &jsonschema.Schema{Type: "array", Items: given,
			Description: "Conditional values: each entry's options are worth its values in the deals its if matches."})
		return &jsonschema.Schema{
			Description: "A value function: a table for a discrete issue, or one shape for a numeric issue.",
			AnyOf:       []*jsonschema.Schema{shape, table},
		}
	}
	return nil
}
