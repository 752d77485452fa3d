using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PgClone.Web.Migrations
{
    /// <inheritdoc />
    public partial class MaskingPolicies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "MaskPolicyVersionId",
                table: "runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaskPolicyId",
                table: "clone_profiles",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "mask_policies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Owner = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mask_policies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "mask_policy_versions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PolicyId = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    RulesJson = table.Column<string>(type: "json", nullable: false),
                    Note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mask_policy_versions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_mask_policy_versions_mask_policies_PolicyId",
                        column: x => x.PolicyId,
                        principalTable: "mask_policies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_runs_MaskPolicyVersionId",
                table: "runs",
                column: "MaskPolicyVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_clone_profiles_MaskPolicyId",
                table: "clone_profiles",
                column: "MaskPolicyId");

            migrationBuilder.CreateIndex(
                name: "IX_mask_policies_Name",
                table: "mask_policies",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_mask_policy_versions_PolicyId_Version",
                table: "mask_policy_versions",
                columns: new[] { "PolicyId", "Version" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_clone_profiles_mask_policies_MaskPolicyId",
                table: "clone_profiles",
                column: "MaskPolicyId",
                principalTable: "mask_policies",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_runs_mask_policy_versions_MaskPolicyVersionId",
                table: "runs",
                column: "MaskPolicyVersionId",
                principalTable: "mask_policy_versions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_clone_profiles_mask_policies_MaskPolicyId",
                table: "clone_profiles");

            migrationBuilder.DropForeignKey(
                name: "FK_runs_mask_policy_versions_MaskPolicyVersionId",
                table: "runs");

            migrationBuilder.DropTable(
                name: "mask_policy_versions");

            migrationBuilder.DropTable(
                name: "mask_policies");

            migrationBuilder.DropIndex(
                name: "IX_runs_MaskPolicyVersionId",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_clone_profiles_MaskPolicyId",
                table: "clone_profiles");

            migrationBuilder.DropColumn(
                name: "MaskPolicyVersionId",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "MaskPolicyId",
                table: "clone_profiles");
        }
    }
}
